"""Checks on evidence files: the type by the file's own first bytes (never by
its name or the browser's word alone) and the size by settings."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from send_register import scanning

# Extension -> the content type we store and serve it with.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ALLOWED_LABEL = "PDF, PNG, JPEG or Word (DOCX)"


def _sniff(upload) -> str | None:
    """The extension the file's content matches, or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def validate_evidence_file(upload) -> str:
    """Raise ValidationError unless `upload` is an allowed type within the
    size limit and free of malware (send_register.scanning). Returns the
    content type to store."""
    name = getattr(upload, "name", "") or ""
    limit = settings.SEND_MAX_UPLOAD_BYTES
    if upload.size == 0:
        raise ValidationError(f"The file {name} is empty", code="empty")
    if upload.size > limit:
        raise ValidationError(f"The file {name} must be smaller than {filesizeformat(limit)}", code="too_big")
    # Malware is refused as malware whatever its name or type; a file the
    # scanner cannot check yet is stored in quarantine (the service reads the
    # verdict kept on the upload).
    scanning.scan_upload(upload)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_TYPES:
        raise ValidationError(f"The file {name} must be a {ALLOWED_LABEL}", code="bad_type")
    sniffed = _sniff(upload)
    if sniffed is None or ALLOWED_TYPES[sniffed] != ALLOWED_TYPES[ext]:
        raise ValidationError(
            f"The file {name} is not a real {ext.upper()} file: choose a {ALLOWED_LABEL}", code="bad_content"
        )
    return ALLOWED_TYPES[ext]
