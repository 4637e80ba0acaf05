"""TensorDataset and DataLoader: batching, shuffling, reproducibility, both batch spellings."""
import numpy as np
import pytest

import tinytorch
from tinytorch import Tensor
from tinytorch.data import Batch, DataLoader, TensorDataset


def dataset(n=10):
    return TensorDataset(Tensor(np.arange(n * 2.0).reshape(n, 2)), Tensor(np.arange(n)))


def test_batches_cover_the_data_in_order():
    loader = DataLoader(dataset(), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [b.inputs.shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert np.concatenate([b.targets.numpy() for b in batches]).tolist() == list(range(10))
    assert batches[0].targets.dtype == np.int64 and batches[0].inputs.dtype == np.float64


def test_batch_unpacks_and_has_named_fields():
    inputs, targets = next(iter(DataLoader(dataset(), batch_size=3)))
    batch = next(iter(DataLoader(dataset(), batch_size=3)))
    assert isinstance(batch, Batch)
    np.testing.assert_array_equal(batch.inputs.numpy(), inputs.numpy())
    np.testing.assert_array_equal(batch.targets.numpy(), targets.numpy())


def test_drop_last():
    loader = DataLoader(dataset(), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [b.targets.shape for b in loader] == [(4,), (4,)]


def test_shuffle_with_seed_is_a_reproducible_permutation_that_changes_each_epoch():
    loader = DataLoader(dataset(), batch_size=3, shuffle=True, seed=7)
    epoch1 = np.concatenate([b.targets.numpy() for b in loader])
    epoch2 = np.concatenate([b.targets.numpy() for b in loader])
    assert sorted(epoch1) == list(range(10)) and not np.array_equal(epoch1, epoch2)
    again = DataLoader(dataset(), batch_size=3, shuffle=True, seed=7)
    np.testing.assert_array_equal(np.concatenate([b.targets.numpy() for b in again]), epoch1)
    first = next(iter(again))
    np.testing.assert_array_equal(first.inputs.numpy()[:, 0], 2 * first.targets.numpy())  # rows stay paired


def test_shuffle_without_seed_follows_manual_seed():
    def order():
        tinytorch.manual_seed(11)
        return np.concatenate([b.targets.numpy() for b in DataLoader(dataset(), batch_size=4, shuffle=True)])

    np.testing.assert_array_equal(order(), order())


def test_generic_dataset_is_collated():
    class Squares:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([float(i)]), i * i

    batches = list(DataLoader(Squares(), batch_size=2))
    assert batches[0].inputs.shape == (2, 1) and batches[-1].targets.tolist() == [16]


def test_tensor_dataset_indexing_and_lengths():
    ds = dataset(4)
    x, y = ds[2]
    assert len(ds) == 4 and x.tolist() == [4.0, 5.0] and y.item() == 2
    with pytest.raises(ValueError, match=r"share their first dimension, got shapes \(3,\), \(2,\)"):
        TensorDataset(Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 2.0]))
