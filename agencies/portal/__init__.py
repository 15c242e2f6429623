"""The portal: server-rendered GOV.UK pages for leads, coordinators, action owners and the board.

routes/ (one module per area), templates/ (views/ extending the layout, components/ for macros),
the page helpers and form parsers. May import agencies/deps.py, flows/, notifications/ and
models/; never agencies/api/.
"""
