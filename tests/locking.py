"""For tests that post an edit form directly: add the record's version as the
page carries it, as a browser would (send_register.locking refuses a POST
without it)."""

import re


def with_version(client, url: str, data: dict) -> dict:
    """`data` plus the lock_version of the form served at `url` now (unless
    the data already has one, or the page has none)."""
    if "lock_version" in data:
        return data
    page = client.get(url)
    match = re.search(r'<input[^>]*name="lock_version"[^>]*value="(\d*)"', page.content.decode()) if page.status_code == 200 else None
    return {**data, "lock_version": match.group(1)} if match else data
