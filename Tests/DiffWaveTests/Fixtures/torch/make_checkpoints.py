# Regenerates the synthetic torch checkpoints of TorchCheckpointTests without torch:
#   python3 make_checkpoints.py
# Python's own pickler writes them; stand-in `torch` module objects make it spell the
# globals and persistent ids exactly as torch.save does.
import collections, io, pickle, struct, sys, types, zipfile
import numpy as np

torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch, utils
torch._utils = utils


def _rebuild_tensor_v2(*args):
    raise RuntimeError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2
STORAGE_DTYPES = {"FloatStorage": "<f4", "HalfStorage": "<f2", "DoubleStorage": "<f8",
                  "BFloat16Storage": "bf16", "LongStorage": "<i8"}
for name in STORAGE_DTYPES:
    cls = type(name, (), {"__module__": "torch"})
    setattr(torch, name, cls)


class Storage:
    def __init__(self, type_name, key, values, view=None):
        self.type, self.key, self.view = getattr(torch, type_name), key, view
        dt = STORAGE_DTYPES[type_name]
        if dt == "bf16":  # top half of each float32
            self.raw = (np.asarray(values, "<f4").view("<u4") >> 16).astype("<u2").tobytes()
        else:
            self.raw = np.asarray(values).astype(dt).tobytes()
        self.numel = len(values)


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())

    def __reduce__(self):
        return (_rebuild_tensor_v2, self.args)


class Pickler(pickle.Pickler):
    legacy = False

    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            pid = ("storage", obj.type, obj.key, "cpu", obj.numel)
            return pid + (obj.view,) if self.legacy else pid
        return None


def dumps(obj, legacy=False):
    out = io.BytesIO()
    p = Pickler(out, protocol=2)
    p.legacy = legacy
    p.dump(obj)
    return out.getvalue()


def write_zip(path, obj, storages, compress=zipfile.ZIP_STORED, pickle_bytes=None, byteorder="little"):
    def add(z, name, data):  # a fixed date keeps the files byte-identical across runs
        z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compress_type=compress)
    with zipfile.ZipFile(path, "w") as z:
        add(z, "archive/data.pkl", pickle_bytes or dumps(obj))
        add(z, "archive/byteorder", byteorder)
        for s in storages:
            add(z, f"archive/data/{s.key}", s.raw)
        add(z, "archive/version", "3\n")


def write_legacy(path, obj, storages):
    with open(path, "wb") as f:
        f.write(pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2))
        f.write(pickle.dumps(1001, protocol=2))
        f.write(pickle.dumps({"protocol_version": 1001, "little_endian": True,
                              "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2))
        f.write(dumps(obj, legacy=True))
        f.write(pickle.dumps([s.key for s in storages], protocol=2))
        for s in storages:
            f.write(struct.pack("<q", s.numel))
            f.write(s.raw)


six = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]  # a 2x3 matrix [[1, 2, 3], [4, 5, 6]]
half = Storage("HalfStorage", "0", [0.5, -1.25, 65504.0, 2.0 ** -24])
bf16 = Storage("BFloat16Storage", "1", [1.5, -3.0, 256.0])
double = Storage("DoubleStorage", "2", [0.1, 0.2])
matrix = Storage("FloatStorage", "3", six)
counts = Storage("LongStorage", "4", [7, 8])
views = collections.OrderedDict([
    ("module.half", Tensor(half, 0, [4], [1])),
    ("module.bf16", Tensor(bf16, 0, [3], [1])),
    ("module.double", Tensor(double, 0, [2], [1])),
    ("module.matrix", Tensor(matrix, 0, [2, 3], [3, 1])),
    ("module.transposed", Tensor(matrix, 0, [3, 2], [1, 3])),   # matrix.t()
    ("module.column", Tensor(matrix, 1, [2], [3])),             # matrix[:, 1]
    ("module.tail", Tensor(matrix, 4, [2], [1])),               # matrix.view(-1)[4:]
    ("module.scalar", Tensor(matrix, 5, [], [])),
])
learner = {"step": 3, "model": views, "params": {"residual_layers": 2, "noise_schedule": [0.1, 0.2],
                                                  "unconditional": True, "name": "views"},
           "optimizer": {"state": {0: {"step": Tensor(counts, 0, [2], [1])}}},
           "counts": {"step": Tensor(counts, 0, [2], [1])}}
storages = [half, bf16, double, matrix, counts]
write_zip("views.pt", learner, storages)
write_zip("views_deflated.pt", learner, storages, zipfile.ZIP_DEFLATED)

# A bare state_dict saved by itself.
write_zip("bare_state_dict.pt", collections.OrderedDict([("w", Tensor(matrix, 0, [2, 3], [3, 1]))]), [matrix])

# Legacy: a storage view (view_metadata) and a state dict whose tensors point past the data.
root = Storage("FloatStorage", "100", six)
window = Storage("FloatStorage", "100", six, view=("101", 2, 3))  # root[2:5]
write_legacy("views_legacy.pt", {"model": collections.OrderedDict([
    ("window", Tensor(window, 0, [3], [1])),
    ("full", Tensor(root, 0, [6], [1])),
])}, [root])
bad = Storage("FloatStorage", "0", six)
write_zip("out_of_bounds.pt", {"model": {"w": Tensor(bad, 4, [2, 2], [2, 1])}}, [bad])

# A zip checkpoint whose pickle would run os.system("ls") under pickle.load.
write_zip("forbidden.pt", None, [], pickle_bytes=b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.")
write_zip("big_endian.pt", {"model": {}}, [], byteorder="big")
