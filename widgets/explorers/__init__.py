"""Teaching views: sliders and text boxes over pictures of what an op does.

* ``ConvExplorer``: kernel size, padding, stride and dilation of a convolution;
* ``StrideExplorer``: which storage cells a view (transpose, slice, expand...) reads;
* ``RNNUnrolled``: a recurrent classifier unrolled over the characters of a name.

Each is an ipywidgets box whose picture is an SVG drawn in Python; the same SVG is the
static picture (``to_svg()``, and in the display data) where widgets cannot run.
"""

from .conv import ConvExplorer, conv_output_size
from .rnn import RNNUnrolled, unroll
from .stride import StrideExplorer, storage_indices

__all__ = ["ConvExplorer", "RNNUnrolled", "StrideExplorer", "conv_output_size",
           "storage_indices", "unroll"]
