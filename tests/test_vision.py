"""tensorkit.vision and tensorkit.datasets: loading real files, transforms, downloads.

Reference values come from the files themselves (parsed here independently with NumPy),
from torch's tensor ops and random draws (torchvision is not installed: its transforms
are reproduced from their documented recipe), and from torchvision's documented reprs.
Downloads are served from local file:// URLs, so no network is needed.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil

import numpy as np
import pytest
from PIL import Image

import tensorkit
from tensorkit import datasets as tables
from tensorkit.vision import datasets, transforms
from tensorkit.vision.transforms import functional as F

DATA = os.environ.get("TENSORKIT_DATA", "")
MNIST_DIR = os.path.join(DATA, "mnist")
FASHION_DIR = os.path.join(DATA, "fashion-mnist")

needs_mnist = pytest.mark.skipif(
    not os.path.isfile(os.path.join(MNIST_DIR, "train-images-idx3-ubyte.gz")),
    reason="MNIST files not found under $TENSORKIT_DATA/mnist")


def idx_arrays(folder: str, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels parsed straight from the gzipped IDX files (16- and 8-byte headers)."""
    with gzip.open(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images, labels


def bits(x) -> np.ndarray:
    """A float array's bit patterns, for exact comparisons."""
    x = np.asarray(x)
    return x.view(f"u{x.dtype.itemsize}")


@pytest.fixture(scope="module")
def mnist_test():
    return datasets.MNIST(None, train=False)


# ------------------------------------------------------------------------------------ MNIST

@needs_mnist
def test_mnist_train_matches_the_idx_files():
    images, labels = idx_arrays(MNIST_DIR, "train")
    ds = datasets.MNIST(None, train=True)
    assert len(ds) == 60000 == len(labels)
    assert ds.data.dtype == tensorkit.uint8 and tuple(ds.data.shape) == (60000, 28, 28)
    assert ds.targets.dtype == tensorkit.int64 and tuple(ds.targets.shape) == (60000,)
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    np.testing.assert_array_equal(ds.data.numpy().sum(axis=(1, 2)), images.sum(axis=(1, 2),
                                                                                dtype=np.int64))
    img, label = ds[123]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    assert type(label) is int and label == labels[123]
    np.testing.assert_array_equal(np.asarray(img), images[123])


@needs_mnist
def test_mnist_test_split_and_repr(mnist_test):
    images, labels = idx_arrays(MNIST_DIR, "t10k")
    assert len(mnist_test) == 10000
    np.testing.assert_array_equal(mnist_test.targets[:50].numpy(), labels[:50])
    np.testing.assert_array_equal(mnist_test.data[-1].numpy(), images[-1])
    assert mnist_test.classes[7] == "7 - seven" and mnist_test.class_to_idx["3 - three"] == 3
    assert repr(mnist_test) == "Dataset MNIST\n    Number of datapoints: 10000\n    Split: Test"


@needs_mnist
def test_mnist_repr_with_root_and_transforms():
    ds = datasets.MNIST("some/root", train=True, transform=transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]),
        target_transform=transforms.Lambda(lambda y: y))
    # torchvision indents only the first line of the transforms block.
    assert repr(ds) == (
        "Dataset MNIST\n"
        "    Number of datapoints: 60000\n"
        "    Root location: some/root\n"
        "    Split: Train\n"
        "    StandardTransform\n"
        "Transform: Compose(\n"
        "               ToTensor()\n"
        "               Normalize(mean=(0.1307,), std=(0.3081,))\n"
        "           )\n"
        "Target transform: Lambda()")
    x, y = ds[0]
    assert tuple(x.shape) == (1, 28, 28) and x.dtype == tensorkit.float32 and y == ds.targets[0]


@pytest.mark.skipif(not os.path.isfile(os.path.join(FASHION_DIR, "t10k-images-idx3-ubyte.gz")),
                    reason="Fashion-MNIST files not found")
def test_fashion_mnist_matches_the_idx_files():
    images, labels = idx_arrays(FASHION_DIR, "t10k")
    ds = datasets.FashionMNIST(None, train=False)
    assert len(ds) == 10000
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    assert int(ds.data.numpy().sum(dtype=np.int64)) == int(images.sum(dtype=np.int64))
    assert ds.classes[9] == "Ankle boot"


@needs_mnist
def test_torchvision_layout_under_root_is_found_first(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images, labels = make_idx(3)
    (raw / "t10k-images-idx3-ubyte").write_bytes(images)  # uncompressed, as torchvision keeps
    (raw / "t10k-labels-idx1-ubyte").write_bytes(labels)
    ds = datasets.MNIST(str(tmp_path), train=False)
    assert len(ds) == 3 and ds.targets.tolist() == [0, 1, 2]


@needs_mnist
def test_mnist_dataloader_batches(mnist_test):
    ds = datasets.MNIST(None, train=False, transform=transforms.ToTensor())
    x, y = next(iter(tensorkit.utils.data.DataLoader(ds, batch_size=64)))
    assert tuple(x.shape) == (64, 1, 28, 28) and x.dtype == tensorkit.float32
    assert y.dtype == tensorkit.int64
    np.testing.assert_array_equal(y.numpy(), mnist_test.targets[:64].numpy())


# ------------------------------------------------------------------------- bad or missing files

def make_idx(n: int) -> tuple[bytes, bytes]:
    """A tiny valid IDX pair: n images whose pixels are their index, labels 0..n-1."""
    header = (2051).to_bytes(4, "big") + b"".join(v.to_bytes(4, "big") for v in (n, 28, 28))
    pixels = np.repeat(np.arange(n, dtype=np.uint8), 28 * 28).tobytes()
    labels = (2049).to_bytes(4, "big") + n.to_bytes(4, "big") + bytes(range(n))
    return header + pixels, labels


def write_mnist(folder, prefix: str, images: bytes, labels: bytes, gz: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, content in (("images-idx3", images), ("labels-idx1", labels)):
        name = f"{prefix}-{kind}-ubyte"
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)


@pytest.fixture
def no_env_data(monkeypatch):
    monkeypatch.delenv("TENSORKIT_DATA", raising=False)


@needs_mnist
def test_truncated_gzip_names_the_file_and_the_fix(tmp_path, no_env_data):
    folder = tmp_path / "mnist"
    folder.mkdir()
    original = (open(os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz"), "rb").read())
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(original[: len(original) // 2])
    shutil.copy(os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"), folder)
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(str(tmp_path), train=False)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte.gz" in message and "truncated" in message
    assert "Delete it and download it again" in message


def test_truncated_idx_payload_says_expected_size(tmp_path, no_env_data):
    images, labels = make_idx(4)
    write_mnist(tmp_path / "mnist", "train", images[:-100], labels)
    needed = 16 + 4 * 28 * 28
    with pytest.raises(RuntimeError, match=rf"has {needed - 100} bytes but its header "
                                           rf"\(4 x 28 x 28\) needs {needed}: the file is "
                                           "truncated"):
        datasets.MNIST(str(tmp_path))


def test_wrong_magic_number_is_reported(tmp_path, no_env_data):
    images, labels = make_idx(2)
    write_mnist(tmp_path / "mnist", "train", labels, images)  # swapped
    with pytest.raises(RuntimeError, match="expected magic number 2051 but found 2049"):
        datasets.MNIST(str(tmp_path))


def test_images_and_labels_must_agree(tmp_path, no_env_data):
    images, _ = make_idx(3)
    _, labels = make_idx(2)
    write_mnist(tmp_path / "mnist", "train", images, labels, gz=False)
    with pytest.raises(RuntimeError, match="3 images but .* has 2 labels"):
        datasets.MNIST(str(tmp_path))


def test_missing_files_without_download(tmp_path, no_env_data):
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(str(tmp_path), download=False)
    assert str(info.value) == "Dataset not found. You can use download=True to download it"


# ------------------------------------------------------------------------------- downloads

@pytest.fixture
def mirror(tmp_path, monkeypatch, no_env_data):
    """A local 'server' folder with a tiny MNIST; MNIST's mirrors point at it."""
    served = tmp_path / "server"
    resources = []
    for prefix, n in (("train", 5), ("t10k", 3)):
        write_mnist(served, prefix, *make_idx(n))
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{prefix}-{kind}-ubyte.gz"
            resources.append((name, hashlib.md5((served / name).read_bytes()).hexdigest()))
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    missing = (tmp_path / "no-such-mirror").as_uri() + "/"
    monkeypatch.setattr(datasets.MNIST, "mirrors", [missing, served.as_uri() + "/"])
    return served


def test_download_from_the_second_mirror_checks_and_extracts(tmp_path, mirror, capsys):
    root = tmp_path / "root"
    ds = datasets.MNIST(str(root), train=True, download=True)
    assert len(ds) == 5 and ds.targets.tolist() == [0, 1, 2, 3, 4]
    assert int(ds.data[4].numpy().max()) == 4
    raw = root / "MNIST" / "raw"
    assert (raw / "train-images-idx3-ubyte").is_file() and (raw / "t10k-labels-idx1-ubyte.gz")
    assert "Failed to download (trying next)" in capsys.readouterr().out
    assert len(datasets.MNIST(str(root), train=False)) == 3  # now found without downloading


def test_download_checksum_mismatch(tmp_path, mirror, monkeypatch):
    bad = [(name, "0" * 32) for name, _ in datasets.MNIST.resources]
    monkeypatch.setattr(datasets.MNIST, "resources", bad)
    with pytest.raises(RuntimeError, match="Checksum mismatch for train-images-idx3-ubyte.gz.*"
                                           "expected 00000000000000000000000000000000"):
        datasets.MNIST(str(tmp_path / "root"), download=True)
    assert not (tmp_path / "root" / "MNIST" / "raw" / "train-images-idx3-ubyte.gz").exists()


def test_download_uses_the_replaceable_opener(tmp_path, monkeypatch):
    from tensorkit.vision.datasets import utils

    content = b"hello tensorkit"
    opened = []

    class Response:
        headers = {"Content-Length": str(len(content))}

        def __init__(self):
            self.left = content

        def read(self, n):
            chunk, self.left = self.left[:n], self.left[n:]
            return chunk

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def fake_urlopen(url):
        opened.append(url)
        return Response()

    monkeypatch.setattr(utils, "_urlopen", fake_urlopen)
    md5 = hashlib.md5(content).hexdigest()
    path = utils.download_url("https://example.invalid/x.bin", str(tmp_path), md5=md5)
    assert open(path, "rb").read() == content and opened == ["https://example.invalid/x.bin"]
    utils.download_url("https://example.invalid/x.bin", str(tmp_path), md5=md5)
    assert len(opened) == 1  # a verified file is not downloaded again


# ------------------------------------------------------------------------------ transforms

def sample_pil(mode: str = "L") -> Image.Image:
    rng = np.random.default_rng(0)
    shape = (5, 7) if mode == "L" else (5, 7, len(mode))
    return Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8))


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_to_tensor_matches_numpy_and_torch(torch, mode):
    pic = sample_pil(mode)
    out = transforms.ToTensor()(pic)
    hwc = np.asarray(pic).reshape(5, 7, -1)
    expected = np.ascontiguousarray(hwc.transpose(2, 0, 1)).astype(np.float32) / np.float32(255)
    theirs = torch.from_numpy(hwc.copy()).permute(2, 0, 1).contiguous().float().div(255)
    assert out.dtype == tensorkit.float32 and tuple(out.shape) == expected.shape
    np.testing.assert_array_equal(bits(out.numpy()), bits(expected))
    np.testing.assert_array_equal(bits(out.numpy()), bits(theirs.numpy()))


def test_to_tensor_ndarray_and_non_uint8():
    hwc = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    out = F.to_tensor(hwc)
    assert tuple(out.shape) == (4, 2, 3)
    np.testing.assert_allclose(out.numpy(), hwc.transpose(2, 0, 1) / 255, rtol=1e-6)
    floats = np.ones((2, 2), dtype=np.float64) * 7
    kept = F.to_tensor(floats)
    assert kept.dtype == tensorkit.float64 and kept.numpy().max() == 7  # not rescaled
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        F.to_tensor([1, 2])


def test_pil_to_tensor_keeps_bytes():
    pic = sample_pil("RGB")
    out = transforms.PILToTensor()(pic)
    assert out.dtype == tensorkit.uint8
    np.testing.assert_array_equal(out.numpy(), np.asarray(pic).transpose(2, 0, 1))


@pytest.mark.parametrize("inplace", [False, True])
def test_normalize_matches_numpy_and_torch(torch, inplace):
    x = np.random.default_rng(1).random((3, 4, 5), dtype=np.float32)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    ours_in = tensorkit.tensor(x)
    out = transforms.Normalize(mean, std, inplace=inplace)(ours_in)
    m = np.array(mean, np.float32).reshape(-1, 1, 1)
    s = np.array(std, np.float32).reshape(-1, 1, 1)
    expected = (x - m) / s
    theirs = torch.tensor(x).sub_(torch.tensor(mean).view(-1, 1, 1)).div_(
        torch.tensor(std).view(-1, 1, 1))
    np.testing.assert_array_equal(bits(out.numpy()), bits(expected))
    np.testing.assert_array_equal(bits(out.numpy()), bits(theirs.numpy()))
    assert (out is ours_in) == inplace
    if not inplace:
        np.testing.assert_array_equal(ours_in.numpy(), x)  # input untouched


def test_normalize_errors():
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        F.normalize(tensorkit.zeros(1, 2, 2, dtype=tensorkit.uint8), (0,), (1,))
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size"):
        F.normalize(tensorkit.zeros(2, 2), (0,), (1,))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(tensorkit.zeros(1, 2, 2), (0,), (0,))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        F.normalize(np.zeros((1, 2, 2)), (0,), (1,))


def test_transform_reprs_match_torchvision():
    compose = transforms.Compose([
        transforms.RandomCrop(32, padding=4),
        transforms.RandomHorizontalFlip(),
        transforms.Resize(40),
        transforms.CenterCrop(28),
        transforms.PILToTensor(),
        transforms.Lambda(lambda x: x),
    ])
    assert repr(compose) == (
        "Compose(\n"
        "    RandomCrop(size=(32, 32), padding=4)\n"
        "    RandomHorizontalFlip(p=0.5)\n"
        "    Resize(size=40, interpolation=bilinear, max_size=None, antialias=True)\n"
        "    CenterCrop(size=(28, 28))\n"
        "    PILToTensor()\n"
        "    Lambda()\n"
        ")")
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        transforms.Lambda(3)


def test_random_crop_draws_like_torchvision(torch):
    """torchvision pads, then draws top = randint(0, H - h + 1), left = randint(0, W - w + 1)."""
    x = tensorkit.arange(2 * 10 * 12, dtype=tensorkit.float32).reshape(2, 10, 12)
    crop = transforms.RandomCrop((8, 9), padding=2)
    padded = np.pad(x.numpy(), ((0, 0), (2, 2), (2, 2)))
    tensorkit.manual_seed(5)
    torch.manual_seed(5)
    for _ in range(6):
        out = crop(x)
        top = torch.randint(0, 14 - 8 + 1, size=(1,)).item()
        left = torch.randint(0, 16 - 9 + 1, size=(1,)).item()
        np.testing.assert_array_equal(out.numpy(), padded[:, top:top + 8, left:left + 9])


def test_random_crop_on_pil_matches_tensor_path():
    pic = sample_pil("L")
    tensorkit.manual_seed(3)
    a = transforms.ToTensor()(transforms.RandomCrop(4, padding=1)(pic))
    tensorkit.manual_seed(3)
    b = transforms.RandomCrop(4, padding=1)(transforms.ToTensor()(pic))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match=r"Required crop size \(9, 9\) is larger"):
        transforms.RandomCrop(9)(pic)


def test_random_horizontal_flip_draws_like_torchvision(torch):
    x = tensorkit.arange(6.0).reshape(1, 2, 3)
    flip = transforms.RandomHorizontalFlip(p=0.3)
    tensorkit.manual_seed(11)
    torch.manual_seed(11)
    for _ in range(10):
        flipped = bool(torch.rand(1) < 0.3)
        expected = x.numpy()[..., ::-1] if flipped else x.numpy()
        np.testing.assert_array_equal(flip(x).numpy(), expected)
    pic = sample_pil("RGB")
    np.testing.assert_array_equal(np.asarray(transforms.RandomHorizontalFlip(p=1.0)(pic)),
                                  np.asarray(pic)[:, ::-1])


def test_center_crop_resize_and_pad():
    pic = sample_pil("L")  # 7 wide, 5 high
    arr = np.asarray(pic)
    np.testing.assert_array_equal(np.asarray(transforms.CenterCrop(3)(pic)), arr[1:4, 2:5])
    t = transforms.PILToTensor()(pic)
    np.testing.assert_array_equal(transforms.CenterCrop((3, 3))(t).numpy()[0], arr[1:4, 2:5])
    big = transforms.CenterCrop(9)(t)  # larger than the image: zero padding around it
    assert tuple(big.shape) == (1, 9, 9) and int(big.numpy().sum()) == int(arr.sum())
    assert transforms.Resize(10)(pic).size == (14, 10)  # shorter side 5 -> 10
    assert transforms.Resize((4, 6))(pic).size == (6, 4)
    assert tuple(transforms.Resize((4, 6))(t.float()).shape) == (1, 4, 6)
    padded = transforms.Pad((1, 2), padding_mode="edge")(t)
    np.testing.assert_array_equal(padded.numpy()[0], np.pad(arr, ((2, 2), (1, 1)), mode="edge"))
    assert transforms.Pad(2, fill=9)(pic).getpixel((0, 0)) == 9


def test_to_pil_image_round_trip():
    pic = sample_pil("RGB")
    back = transforms.ToPILImage()(transforms.PILToTensor()(pic))
    assert back.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(back), np.asarray(pic))


# --------------------------------------------------------------------------- tutorial tables

needs_tables = pytest.mark.skipif(
    not os.path.isfile(os.path.join(DATA, "diabetes", "diabetes.csv.gz")),
    reason="tutorial tables not found under $TENSORKIT_DATA")


@needs_tables
def test_load_diabetes_matches_loadtxt():
    x, y = tables.load_diabetes()
    table = np.loadtxt(os.path.join(DATA, "diabetes", "diabetes.csv.gz"), delimiter=",",
                       dtype=np.float32)
    assert x.dtype == tensorkit.float32 and tuple(x.shape) == (759, 8)
    assert tuple(y.shape) == (759, 1)
    np.testing.assert_array_equal(x.numpy(), table[:, :-1])
    np.testing.assert_array_equal(y.numpy()[:, 0], table[:, -1])
    ds = tables.Diabetes()
    first_x, first_y = ds[0]
    assert len(ds) == 759 and first_x.tolist() == x[0].tolist()
    assert first_y.tolist() == y[0].tolist()


@needs_tables
def test_surnames_splits_and_classes():
    import csv

    for split, rows in (("train", 13374), ("test", 6700)):
        names, languages = tables.load_surnames(split=split)
        path = os.path.join(DATA, "names", f"names_{split}.csv.gz")
        with gzip.open(path, "rt", newline="") as f:
            expected = list(csv.reader(f))
        assert len(names) == rows == len(expected)
        assert list(zip(names, languages)) == [tuple(r) for r in expected]
    ds = tables.Surnames(split="test")
    assert len(ds.classes) == 18 and ds.classes == sorted(ds.classes)
    name, country = ds[10]
    assert ds.get_country(ds.get_country_id(country)) == country
    by_language = tables.load_surnames_by_language()
    assert len(by_language) == 18 and sum(map(len, by_language.values())) == 20074
    with pytest.raises(ValueError, match="split should be one of"):
        tables.load_surnames(split="valid")


def test_diabetes_download_and_missing(tmp_path, monkeypatch, no_env_data):
    from tensorkit.datasets import diabetes

    served = tmp_path / "server"
    served.mkdir()
    rows = np.array([[0.5] * 8 + [1], [-0.25] * 8 + [0]], dtype=np.float32)
    buffer = "\n".join(",".join(f"{v:g}" for v in row) for row in rows).encode()
    (served / "diabetes.csv.gz").write_bytes(gzip.compress(buffer))
    with pytest.raises(RuntimeError, match="diabetes.csv.gz not found.*download=True"):
        tables.load_diabetes(tmp_path / "root", download=False)
    monkeypatch.setattr(diabetes, "MIRRORS", [served.as_uri() + "/"])
    monkeypatch.setattr(diabetes, "MD5", hashlib.md5((served / "diabetes.csv.gz")
                                                     .read_bytes()).hexdigest())
    x, y = tables.load_diabetes(tmp_path / "root")
    np.testing.assert_array_equal(x.numpy(), rows[:, :-1])
    assert (tmp_path / "root" / "diabetes" / "diabetes.csv.gz").is_file()
