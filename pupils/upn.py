from stdnum.gb import upn as upn_check


def make_upn(serial: int, *, la: str = "830", establishment: str = "2001", year: str = "18") -> str:
    """A valid permanent UPN for fictional pupils (demo, tests, benchmarks):
    LA number, establishment number, year of allocation and a 3-digit serial,
    with the DfE check letter in front (DOMAIN.md 1.5a)."""
    body = f"{la}{establishment}{year}{serial % 1000:03d}"
    if serial >= 1000:  # more than 1000 pupils: vary the year digits
        body = f"{la}{establishment}{(int(year) + serial // 1000) % 100:02d}{serial % 1000:03d}"
    return upn_check.calc_check_digit(body) + body
