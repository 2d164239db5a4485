"""An offline AWS for the pipeline: moto 5.2.5 in server mode plus the patches in `localcloud.patches`.

Start it with `python -m localcloud start` (see README.md) or, from Python,
`localcloud.server.start_in_thread(port)`.
"""
