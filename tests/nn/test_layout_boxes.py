"""layout's boxes (the lookup phase's pieces): they cover every real slot exactly once,
and a box's extension at rho is the tensor's extension at box_point (plus the pad on the
box's own padding slots)."""
import random

import numpy as np
import pytest

from zkproof.field.scalar import R
from zkproof.field.tensor import FrTensor
from zkproof.nn import layout as L


@pytest.mark.parametrize("shape", [(12, 128, 64), (5, 17, 3), (1, 384), (128, 1536), (3,), (1,),
                                   (7, 5, 3, 6), (16, 8)])
@pytest.mark.parametrize("max_boxes", [None, 1, 2])
def test_boxes_cover_the_real_slots_and_evaluate_as_the_tensor(shape, max_boxes, monkeypatch):
    monkeypatch.setattr(L, "MIN_CUT_SAVING", 0)  # cut even these small shapes
    rng = np.random.default_rng(0)
    a = rng.integers(-100, 100, size=shape)
    boxes = L.real_boxes(shape, max_boxes)
    assert 1 <= len(boxes) <= (L.MAX_BOXES if max_boxes is None else max_boxes)
    covered = np.zeros(L.padded_shape(shape), dtype=np.int64)
    for box in boxes:
        covered[tuple(slice(st, st + (1 << b)) for st, b in box)] += 1
    real = tuple(slice(0, s) for s in shape)
    assert np.all(covered[real] == 1) and covered.sum() == sum(1 << L.box_vars(b) for b in boxes)
    if max_boxes is None and np.prod([bin(s).count("1") for s in shape]) <= L.MAX_BOXES:
        assert covered.sum() == a.size  # every axis split: no padding in any box
    full = L.to_padded(a)
    rnd = random.Random(1)
    for box in boxes:
        rho = [rnd.randrange(R) for _ in range(L.box_vars(box))]
        got = FrTensor.from_ints(L.box_ints(a, box, -7)).evaluate(rho)
        want = full.evaluate(L.box_point(shape, box, rho)) - 7 * (1 - L.box_indicator(shape, box, rho))
        assert got == want % R


def test_box_point_needs_the_box_variables():
    with pytest.raises(ValueError, match="coordinates"):
        L.box_point((3, 5), L.real_boxes((3, 5))[0], [1, 2, 3, 4])


def test_small_savings_keep_a_tensor_whole():
    """A cut must remove MIN_CUT_SAVING padding slots: small tensors stay one box, large
    ones are cut (each box costs a claim and a split value)."""
    assert L.real_boxes((11, 384)) == [((0, 4), (0, 9))]
    assert len(L.real_boxes((12, 128, 128))) == 2
    assert sum(1 << L.box_vars(b) for b in L.real_boxes((12, 128, 128))) == 12 * 128 * 128

