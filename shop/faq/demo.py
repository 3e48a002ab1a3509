"""The demo shop's FAQ: about 25 answers a small homeware shop in Berlin gives every week.

`make run` and the end-to-end tests start with these; an owner replaces them with their
own (`python -m shop import faq faq.csv`, or /faq in Telegram).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import FaqEntry

# (question, variants, answer, tags)
DEMO_FAQ: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("Which countries do you ship to?",
     ("Do you deliver abroad?", "Do you ship internationally?", "Can you send to my country?",
      "Do you deliver outside Germany?", "I live abroad, can I still order?",
      "Do you ship to Austria and Switzerland?", "Is delivery to the UK possible?",
      "Do you send orders to other EU countries?",
      "Do you ship outside Europe, to the USA or Canada?", "Which destinations do you deliver to?",
      "Can my parcel go to another country?"),
     "We ship to every EU country, Switzerland, Norway and the UK. We don't ship outside Europe yet.",
     "shipping"),
    ("How much does shipping cost?",
     ("What are the delivery charges?", "Is shipping free?", "What is the postage?",
      "Shipping fees to other countries?", "Is there a minimum order for free delivery?",
      "How much is delivery?", "What do you charge for postage?",
      "From what order value is shipping free?", "How much is shipping to Austria?",
      "Are there extra costs for delivery?", "What's the shipping fee for a small order?",
      "How much is shipping within Germany?"),
     "Shipping within Germany is €4.90 and free from €50. To other EU countries it's €9.90, free "
     "from €100; Switzerland, Norway and the UK are €14.90.",
     "shipping,costs"),
    ("How long does delivery take?",
     ("When will my order arrive after I buy?", "What are your delivery times?",
      "How many days until it gets here?", "How quickly do you dispatch?",
      "When will my parcel arrive?", "How long until my order is delivered?",
      "How soon will my order be here?", "How long does a parcel take to Austria?",
      "What's the delivery time within Germany?", "How long is standard shipping?",
      "What delivery date can I expect?"),
     "In Germany 1-3 working days after dispatch, in the rest of the EU 3-7 working days. We "
     "dispatch orders placed before 2 pm on the same working day.",
     "shipping,delivery"),
    ("Do you offer express delivery?",
     ("Can I get next-day delivery?", "Is there a faster shipping option?",
      "What does express cost?", "I need it urgently, can you send it express?",
      "Can I have it delivered tomorrow?", "Can you rush my order?",
      "Is there an express option at checkout?"),
     "Yes: DHL Express for €14.90 within Germany (next working day if you order before 2 pm) and "
     "€24.90 to other EU countries (1-2 working days).",
     "shipping,express"),
    ("Which carriers do you use?",
     ("Who delivers my parcel?", "Do you ship with DHL?", "What delivery service do you use?",
      "Which courier delivers your parcels?", "Which company handles your deliveries?",
      "Which parcel service will bring my order?"),
     "We send parcels with DHL in Germany and with DPD or GLS to other countries. You get the "
     "tracking number by e-mail when your parcel leaves us.",
     "shipping,carrier"),
    ("What is your return policy?",
     ("How long do I have to return something?", "Can I send items back?",
      "What are the conditions for returns?", "What is the return window?",
      "Can I still return it after two weeks?",
      "Is it too late to send it back?", "Can I return an item I've already opened?",
      "Are there things you don't take back?", "If I regret the purchase, can I return it?",
      "What's the deadline for returns?"),
     "You can return anything unused within 30 days of delivery, in its original packaging. "
     "Personalised items and opened candles can't be returned.",
     "returns"),
    ("How do I return an item?",
     ("How do returns work?", "Where do I send a return?", "Do I get a return label?",
      "What do I do to return my order?", "How do I return my purchase?",
      "How do I get a return label?", "What's the returns process?",
      "Can you walk me through a return?"),
     "Write to us with your order number and we e-mail you a free return label (Germany) or our "
     "return address (other countries). Pack the item well and drop it at any DHL point.",
     "returns"),
    ("How long do refunds take?",
     ("When do I get my money back after a return?", "How fast is the refund?",
      "When will I see my money again?", "How long until I get refunded?",
      "When is my refund paid out?", "Do you refund to the card I paid with?",
      "I sent my return, when do I get the money?"),
     "We refund within 5 working days after your return arrives, to the payment method you used. "
     "Your bank may need another 2-3 days to show it.",
     "returns,refunds"),
    ("Who pays for return shipping?",
     ("Are returns free?", "Do I have to pay to send it back?", "Is the return postage free?",
      "Who covers the cost of sending it back?", "Is there a fee for returns?",
      "Are returns free from Austria?", "What do I pay for a return?",
      "Is returning free of charge?", "Do you pay the return costs if the item is damaged?"),
     "Returns from Germany are free. From other countries you pay the return postage, unless the "
     "item arrived damaged or wrong: then we pay.",
     "returns,costs"),
    ("Can I exchange an item for another size or colour?",
     ("Do you do exchanges?", "Can I swap my item for a different one?",
      "Can I change the colour or size after delivery?", "Can I get a different size instead?",
      "I ordered the wrong colour, can I swap it?", "Can I exchange it for something else?",
      "Can I swap it for another model?", "Can I change it for another colour?"),
     "Yes. Return the item as usual and tell us what you'd like instead; we send the new one as "
     "soon as the return is on its way, at no extra shipping cost.",
     "returns,exchange"),
    ("Which payment methods do you accept?",
     ("How can I pay?", "What payment options are there?",
      "Can I pay with Apple Pay or Google Pay?", "Can I pay by bank transfer?",
      "Which credit cards do you accept?", "Can I pay with Visa or Mastercard?",
      "Which ways of paying do you offer?", "Can I pay without a credit card?",
      "What can I pay with?"),
     "You can pay by credit or debit card (Visa, Mastercard, American Express), PayPal, Apple Pay, "
     "Google Pay, Klarna (pay later) and bank transfer.",
     "payment"),
    ("Can I pay with PayPal?",
     ("Do you take PayPal?", "Is PayPal accepted?", "Can I use PayPal at checkout?",
      "Can I check out with PayPal?", "Do you accept payments via PayPal?",
      "Can I use my PayPal account?", "Does your checkout offer PayPal?"),
     "Yes, PayPal is available at checkout, including PayPal Pay in 30 days.",
     "payment,paypal"),
    ("Can I pay by invoice or in instalments?",
     ("Do you offer buy now pay later?", "Can I pay later with Klarna?",
      "Can I pay after delivery?", "Is paying monthly possible?", "Can I buy on credit?",
      "Do you offer financing?", "Can I pay on invoice?", "Do you offer Klarna?"),
     "Yes, with Klarna: pay within 30 days or in 3 interest-free instalments, subject to Klarna's "
     "approval.",
     "payment,klarna"),
    ("Is it safe to pay on your website?",
     ("Is my card data secure?", "Do you store my credit card?",
      "Is it safe to enter my payment details?", "How secure is paying by card here?",
      "Is your shop legit?", "Is my payment data protected?"),
     "Yes. Payments are handled by Stripe and PayPal over an encrypted connection; we never see "
     "or store your card number.",
     "payment,security"),
    ("What are your opening hours?",
     ("When are you open?", "When can I reach customer service?", "Are you open on weekends?",
      "What time does support close?",
      "From what time is your team available?", "What are your hours on Saturday?",
      "How late are you open?", "What are your customer service hours?"),
     "Our team answers Monday to Friday 9:00-18:00 and Saturday 10:00-14:00 (Berlin time). This "
     "assistant is here around the clock.",
     "hours,contact"),
    ("Do you have a shop I can visit?",
     ("Where is your store?", "Can I pick up my order in person?",
      "Is there a real shop I can walk into?", "Can I see the products in person?",
      "Can I collect my order from you?"),
     "Yes, our showroom is at Hauptstrasse 1, 10115 Berlin, open Thursday to Saturday 11:00-18:00. "
     "You can choose free pick-up there at checkout.",
     "store,pickup"),
    ("How can I contact you?",
     ("What is your phone number?", "What is your e-mail address?",
      "How do I reach customer service?", "Can I speak to a person?",
      "How can I get in touch?", "Can I talk to a human?", "Where can I write to you?",
      "Can I message your team directly?", "Who can I talk to about my order?"),
     "Write to hello@example-shop.de or call +49 30 1234567 during opening hours, or just say "
     "\"talk to a person\" here.",
     "contact"),
    ("What warranty do your products have?",
     ("Is there a guarantee?", "What if my lamp stops working?", "Is a broken product covered?",
      "For how long are products covered?", "My lamp is broken, is it covered?",
      "What do you do if something stops working?", "Is there a guarantee if it breaks?",
      "Will you replace a faulty product?"),
     "Every product has the 2-year legal warranty. Our lamps come with a 3-year manufacturer's "
     "guarantee on top: if one stops working, we repair or replace it.",
     "warranty"),
    ("How do I know which size to choose?",
     ("Do you have a size guide?", "What are the dimensions of the products?",
      "Which size fits me?", "What size are the cushions?",
      "Are the measurements on the product page?", "Do you list the dimensions?",
      "How do I find the right size for a cushion cover?", "How large are the throws?"),
     "Each product page lists the exact dimensions in centimetres and a size guide for cushions "
     "and throws. Not sure? Ask us and we'll measure it for you.",
     "sizes"),
    ("Do you offer gift wrapping?",
     ("Can you wrap my order as a present?", "Can I add a gift message?",
      "Can I send it as a present to someone else?", "Can you gift wrap my order?",
      "Can I include a card with a message?", "Will the recipient see the price?",
      "Do you put orders in gift paper?", "Can you pack it nicely as a gift?"),
     "Yes: choose gift wrapping at checkout for €3.50 per order and add a personal message; we "
     "leave the prices off the delivery note.",
     "gifts"),
    ("Do you sell gift cards?",
     ("Can I buy a voucher?", "Do you have gift certificates?", "Can I give a gift card?",
      "Do you sell vouchers?", "How much can a gift card be worth?", "Are your gift cards digital?",
      "I'd like a voucher as a present, do you have them?"),
     "Yes, digital gift cards from €20 to €200, sent by e-mail and valid for 3 years.",
     "gifts,vouchers"),
    ("How do I use a discount code?",
     ("Where do I enter a voucher code?", "My coupon code doesn't work.",
      "Where does the discount code go?", "How do I redeem a coupon?",
      "Why is my discount code not accepted?", "Do codes work on sale items?",
      "How do I apply a promo code?", "Can I use more than one code?"),
     "Enter the code in the \"Discount code\" field on the checkout page. Codes can't be combined, "
     "and some exclude sale items; the code's conditions are in the e-mail you got it with.",
     "discounts"),
    ("Are your products sustainable?",
     ("Are your materials eco-friendly?", "Where are your products made?",
      "Are your products environmentally friendly?", "What is your packaging made of?",
      "Which materials do you use?", "How ethical is your production?", "Who makes your products?",
      "Is your shop eco-friendly?"),
     "Most of our products are made in small workshops in Germany and Portugal from natural "
     "materials; we ship in recycled cardboard without plastic.",
     "sustainability"),
    ("Do you offer discounts for businesses or bulk orders?",
     ("Do you sell wholesale?", "Is there a discount for large orders?",
      "Do you have prices for companies?", "Can I order in bulk for my business?",
      "Do you give discounts on larger quantities?", "Do you supply hotels and restaurants?",
      "I need many pieces for my café, is there a discount?"),
     "Yes: from 10 pieces of one product we give 10% off, and we invoice businesses with VAT. "
     "Write to us with what you need.",
     "business,wholesale"),
    ("How do I care for ceramic and linen products?",
     ("Are your mugs dishwasher safe?", "Can I wash the linen in the machine?",
      "How do I clean my ceramics?", "What's the best way to wash linen?",
      "Are the bowls microwave safe?", "How should I clean the ceramic bowls?",
      "At how many degrees can linen be washed?"),
     "Our ceramics are dishwasher and microwave safe. Wash linen at 40 °C and let it dry on the "
     "line; it softens with every wash.",
     "care"),
    ("Do I need an account to order?",
     ("Can I order as a guest?", "Do I have to register?", "Do I need to sign up to buy?",
      "Is an account necessary to shop?", "Is signing up mandatory?", "Can I check out as a guest?",
      "Do I need to create an account?", "Do I have to log in to order?"),
     "No, you can order as a guest. An account only saves your addresses and shows your orders.",
     "account"),
)


def seed_faq(session: Session, *, now: datetime) -> int:
    """Add the demo FAQ to a store that has no FAQ entries yet; the number added."""
    if session.scalar(select(FaqEntry.id).limit(1)) is not None:
        return 0
    session.add_all(
        FaqEntry(question=q, variants="\n".join(variants), answer=a, tags=tags, language="en",
                 enabled=True, created_at=now, updated_at=now)
        for q, variants, a, tags in DEMO_FAQ
    )
    session.flush()
    return len(DEMO_FAQ)
