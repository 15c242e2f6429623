"""The board report: typed data from a round's findings, rendered as HTML, Markdown, DOCX, PDF."""
