"""The board report as PDF, printed by WeasyPrint from the same HTML."""

from __future__ import annotations

import warnings

from flows.report.model import BoardReport
from flows.report.render import render_html
from models.errors import ConfigurationError

INSTALL_HINT = (
    "PDF needs WeasyPrint and the Pango libraries: `pip install weasyprint` and "
    "`apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0`"
)


def render_pdf(report: BoardReport) -> bytes:
    """Tagged PDF/UA bytes of the HTML report (title, author and language in its metadata), or
    ConfigurationError naming what to install."""
    try:
        with warnings.catch_warnings():  # "HarfBuzz-Subset will be required by future versions"
            warnings.simplefilter("ignore", DeprecationWarning)
            from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise ConfigurationError(f"{INSTALL_HINT} ({error})") from None
    pdf: bytes = HTML(string=render_html(report)).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True
    )
    return pdf
