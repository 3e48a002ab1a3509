"""The acceptance model's constants are what the development sets give (shop/faq/acceptance.py)."""

from __future__ import annotations

import pytest

from shop.faq import acceptance


@pytest.fixture(scope="module")
def derived() -> tuple[tuple[float, ...], float, float, float]:
    return acceptance.derive()


def test_the_coefficients_are_the_logistic_regression_fitted_on_the_three_dev_sets(derived):
    coefficients, intercept, _accept, _suggest = derived
    assert pytest.approx(coefficients, abs=0.002) == acceptance.COEFFICIENTS
    assert pytest.approx(intercept, abs=0.002) == acceptance.INTERCEPT


def test_accept_is_the_lowest_confidence_that_keeps_the_dev_sets_unrelated_questions_out(derived):
    assert derived[2] == acceptance.ACCEPT


def test_suggest_is_the_lowest_confidence_that_offers_a_quarter_of_the_unrelated_questions_at_most(derived):
    assert derived[3] == acceptance.SUGGEST < acceptance.ACCEPT


def test_a_confidence_grows_with_the_score_and_the_question_length_is_capped():
    features = [0.5, 3, 0, 0.3, 0.5]
    assert acceptance.confidence([0.6, *features[1:]]) > acceptance.confidence(features)
    assert acceptance.confidence([0.5, 50, 0, 0.3, 0.5]) == acceptance.confidence([0.5, 8, 0, 0.3, 0.5])
    # no score, no answer: at a score of 0 retrieval gives the ratio 1 (FaqIndex._features)
    assert acceptance.confidence([0.0, 50, 1, 0.0, 1.0]) < acceptance.ACCEPT
    assert acceptance.confidence([0.0, 50, 0, 0.0, 1.0]) < acceptance.ACCEPT


def test_lowest_accept_is_on_its_grid():
    assert acceptance.lowest_accept([0.1] * 19 + [0.9]) == 0.11
    assert acceptance.lowest_accept([0.1] * 18 + [0.5, 0.9]) == 0.51
