"""The case register: row parsing and checks, the importer, the encrypted store and the
`import-case-register` flow.

May import models/ and notifications/; never agencies/ or flows/cli/.
"""
