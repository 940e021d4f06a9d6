"""`python -m bench`: how fast each step's chat fans out, against a raw `websockets` server as the
practical limit, and how fast the checker itself is.

- bench.servers     every server of the run, each on a free loopback port, from a temp copy of its step
- bench.raw_server  the minimal raw `websockets` broadcast server (the practical limit)
- bench.load        the asyncio + `websockets` load generator (N clients in one room)
- bench.report      terminal table, results/latest.json, results/latest.md, results/fanout.png
- bench.__main__    the CLI: `python -m bench [--quick]`
"""
