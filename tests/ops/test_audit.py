"""make audit (scripts/audit.sh, scripts/audit_report.py): a finding fails, a
clean audit passes, and an audit that could not reach its vulnerability
service passes but says plainly that nothing was audited."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("audit_report", ROOT / "scripts" / "audit_report.py")
audit_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_report)


def run_report(tmp_path, kind, report, rc=0):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report) if report is not None else "")
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "audit_report.py"), kind, str(path), str(rc)],
                          capture_output=True, text=True)


def test_it_fails_on_a_python_finding(tmp_path):
    report = {"dependencies": [
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["5.2.1"]}]},
        {"name": "celery", "version": "5.7.0", "vulns": []},
    ]}
    result = run_report(tmp_path, "pip", report, rc=1)
    assert result.returncode == 1
    assert "VULNERABLE django 5.2.0: PYSEC-2099-1 (fixed in 5.2.1)" in result.stdout


def test_it_passes_a_clean_python_audit(tmp_path):
    result = run_report(tmp_path, "pip", {"dependencies": [{"name": "celery", "version": "5.7.0", "vulns": []}]})
    assert result.returncode == 0
    assert "1 Python packages audited: no known vulnerabilities." in result.stdout


def test_it_says_plainly_when_no_python_package_could_be_audited(tmp_path):
    report = {"dependencies": [
        {"name": "celery", "version": "5.7.0", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ]}
    outcome, lines = audit_report.pip_summary(report, 0)
    assert outcome == audit_report.UNAUDITED
    assert "none of the 1 Python packages could be audited" in lines[-1] and "NOT a clean result" in lines[-1]
    assert run_report(tmp_path, "pip", report).returncode == 3  # audit.sh: not a failure, not clean
    assert run_report(tmp_path, "pip", None, rc=1).returncode == 3


def test_npm_findings_fail_and_an_unreachable_service_is_said(tmp_path):
    found = {"vulnerabilities": {"left-pad": {"severity": "high", "range": "<1.3.0"}},
             "metadata": {"vulnerabilities": {"info": 0, "low": 0, "moderate": 0, "high": 1, "critical": 0}}}
    result = run_report(tmp_path, "npm", found, rc=1)
    assert result.returncode == 1 and "VULNERABLE left-pad (high)" in result.stdout
    clean = {"vulnerabilities": {}, "metadata": {"vulnerabilities": {"info": 0, "low": 0, "high": 0}}}
    assert run_report(tmp_path, "npm", clean).returncode == 0
    refused = {"message": "405 Method Not Allowed", "statusCode": 405, "error": {"summary": ""}}
    result = run_report(tmp_path, "npm", refused, rc=1)
    assert result.returncode == 3 and "npm packages NOT audited" in result.stdout


def test_the_make_target_and_ci_call_it():
    makefile = (ROOT / "Makefile").read_text()
    assert "audit: $(STAMP)\n\tbash scripts/audit.sh" in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("make test") < ci.index("make audit")
    assert "pip_audit==" in (ROOT / "requirements.lock").read_text()
