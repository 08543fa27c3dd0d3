"""Reads pip-audit's and npm audit's JSON for `make audit` (scripts/audit.sh)
and says plainly which of three things happened: findings (exit 1), a clean
audit (exit 0), or no audit at all because the vulnerability service could not
be reached (exit 0, and said so: that is not a clean result).

    python scripts/audit_report.py pip|npm REPORT.json TOOL_EXIT_CODE
"""

import json
import sys

FOUND, CLEAN, UNAUDITED = "found", "clean", "unaudited"
NOT_CLEAN = "This is NOT a clean result: run `make audit` where the vulnerability service is reachable."


def pip_summary(report: dict | list | None, rc: int) -> tuple[str, list[str]]:
    if report is None:
        return UNAUDITED, [f"pip-audit could not run or reach its vulnerability service (exit {rc}): "
                           f"Python packages NOT audited. {NOT_CLEAN}"]
    deps = report.get("dependencies", []) if isinstance(report, dict) else report
    lines = []
    found = 0
    for dep in deps:
        for vuln in dep.get("vulns") or []:
            found += 1
            fix = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(f"VULNERABLE {dep['name']} {dep.get('version', '')}: {vuln.get('id')} (fixed in {fix})")
    skipped = [dep["name"] for dep in deps if dep.get("skip_reason")]
    audited = len(deps) - len(skipped)
    if found:
        lines.append(f"{found} known vulnerabilities in the Python packages.")
        return FOUND, lines
    if not audited:
        lines.append(f"The vulnerability service could not be reached: none of the {len(deps)} Python packages "
                     f"could be audited. {NOT_CLEAN}")
        return UNAUDITED, lines
    if skipped:
        more = " ..." if len(skipped) > 10 else ""
        lines.append(f"{len(skipped)} Python packages could not be audited: {', '.join(skipped[:10])}{more}")
    lines.append(f"{audited} Python packages audited: no known vulnerabilities.")
    return CLEAN, lines


def npm_summary(report: dict | None, rc: int) -> tuple[str, list[str]]:
    meta = (report or {}).get("metadata", {}).get("vulnerabilities")
    if not report or "error" in report or meta is None:
        status = (report or {}).get("statusCode") or ((report or {}).get("error") or {}).get("code") or f"exit {rc}"
        return UNAUDITED, [f"npm audit could not reach the advisory service ({status}): npm packages NOT audited. "
                           f"{NOT_CLEAN}"]
    lines = [f"VULNERABLE {name} ({vuln.get('severity')}): {vuln.get('range', '')}"
             for name, vuln in sorted(report.get("vulnerabilities", {}).items())]
    total = sum(meta.get(level, 0) for level in ("info", "low", "moderate", "high", "critical"))
    if total:
        lines.append(f"{total} known vulnerabilities in the npm packages.")
        return FOUND, lines
    return CLEAN, ["npm packages audited: no known vulnerabilities."]


def main(argv: list[str]) -> int:
    kind, path, rc = argv[0], argv[1], int(argv[2])
    try:
        with open(path) as fh:
            report = json.load(fh)
    except (OSError, ValueError):
        report = None
    outcome, lines = (pip_summary if kind == "pip" else npm_summary)(report, rc)
    print("\n".join(lines))
    return {FOUND: 1, CLEAN: 0, UNAUDITED: 3}[outcome]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
