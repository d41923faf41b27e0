# Regenerates the pickle fixtures of UnpicklerTests: one object, every protocol 0-5.
#   python3 make_pickles.py
import collections
import pickle

shared = [1, 2]
obj = {
    "none": None, "true": True, "false": False,
    "small": 7, "neg": -300, "int32": 2**31 - 1, "int64": -2**63, "long": 2**62,
    "float": 0.1, "str": "h\u00e9llo \u2713", "bytes": b"\x00\xffab",
    "tuple": (1, "a", (2.5,)), "empty_tuple": (), "list": [1, [2, [3]]],
    "set": {3}, "frozen": frozenset({4}), "shared": (shared, shared),
    "odict": collections.OrderedDict([("b", 1), ("a", 2)]), 1: "int key",
}
for protocol in range(6):
    with open(f"plain_p{protocol}.pkl", "wb") as f:
        pickle.dump(obj, f, protocol=protocol)
