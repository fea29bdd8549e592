import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    # Commands activate LANGUAGE_CODE; the assertions read the English msgids.
    settings.LANGUAGE_CODE = "en"
