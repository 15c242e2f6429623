"""The board report: typed data from a round's findings, rendered as HTML, Markdown, DOCX, PDF.

May import models/ and the other flows/ packages; never agencies/ or flows/cli/.
"""
