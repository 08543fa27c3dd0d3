"""UPN validation (DOMAIN.md 1.5a): 13 characters, a DfE check letter and a real LA number."""

import pytest
from django.core.exceptions import ValidationError
from stdnum.gb import upn as upn_check

from pupils.models import validate_upn
from pupils.upn import make_upn


def test_it_accepts_a_valid_upn():
    validate_upn(make_upn(5))  # P830200118005
    validate_upn("p830200118005".upper())


def test_it_refuses_a_wrong_check_letter():
    good = make_upn(5)
    wrong = ("A" if good[0] != "A" else "B") + good[1:]
    with pytest.raises(ValidationError) as err:
        validate_upn(wrong)
    assert err.value.code == "upn_invalid"
    assert "check letter" in err.value.messages[0]


@pytest.mark.parametrize("value", ["P83020011800", "P8302001180055", "", "P830"])
def test_it_refuses_the_wrong_length(value):
    with pytest.raises(ValidationError) as err:
        validate_upn(value)
    assert err.value.code == "upn_length"
    assert "13 characters" in err.value.messages[0]


def test_it_refuses_an_la_number_that_is_not_real():
    body = "999200118005"
    value = upn_check.calc_check_digit(body) + body  # right check letter, LA 999 does not exist
    with pytest.raises(ValidationError) as err:
        validate_upn(value)
    assert err.value.code == "upn_invalid"


def test_a_pupil_with_a_bad_upn_does_not_validate(world):
    pupil = world.pupil
    pupil.upn = "A830200118005"
    with pytest.raises(ValidationError) as err:
        pupil.full_clean()
    assert "upn" in err.value.message_dict
