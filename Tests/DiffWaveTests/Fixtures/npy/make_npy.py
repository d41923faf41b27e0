# Regenerates the .npy / .npz fixtures of NPYTests and NPZTests (numpy only):
#   python3 make_npy.py
# Every array holds arange(24).reshape(2, 3, 4) * 0.25 - 2, exact in float16.
import numpy as np

base = np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 0.25 - 2

for descr in ["<f4", ">f4", "<f8", ">f8", "<f2", ">f2"]:
    name = descr.replace("<", "le").replace(">", "be")
    np.save(f"{name}_c.npy", base.astype(descr))
    np.save(f"{name}_f.npy", np.asfortranarray(base.astype(descr)))

for version in [(2, 0), (3, 0)]:
    with open(f"v{version[0]}.npy", "wb") as f:
        np.lib.format.write_array(f, base.astype("<f4"), version=version)

np.save("scalar.npy", np.array(1.5, dtype="<f4"))
np.save("vector.npy", np.arange(5, dtype="<f4"))
np.save("empty.npy", np.zeros((0, 3), dtype="<f4"))
np.save("int64.npy", np.arange(3, dtype="<i8"))
np.save("object.npy", np.array([1, "a"], dtype=object), allow_pickle=True)

np.savez_compressed("deflated.npz", mel=base.astype("<f4"), noise=np.arange(5, dtype="<f8"))
np.savez("stored.npz", first=np.arange(3, dtype="<f4"), second=base.astype(">f2"))

# An archive whose second entry is an object array (np.load would need allow_pickle).
np.savez("object_entry.npz", good=np.arange(2, dtype="<f4"), bad=np.array([1, "a"], dtype=object))
