"""The local simulator: a real HTTP server on loopback speaking the Enkrypt and Nimble task APIs.

The app's --demo mode, the tests and the benchmarks all run against it (`tui.sim.server`). Modules:
clock (simulated time), world (seeded tasks that evolve with it), routes (the endpoints' contract
logic), faults (injected failures), server (the HTTP shell and the Python control API).
"""
