import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT, never the real one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
