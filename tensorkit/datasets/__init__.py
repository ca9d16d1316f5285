"""The small tables the tutorials load, one call each (files found or downloaded).

* ``load_diabetes`` / ``Diabetes``: PyTorchZeroToAll's diabetes.csv.gz (759 x 8, 0/1);
* ``load_surnames`` / ``Surnames``: PyTorchZeroToAll's names_train/test.csv.gz;
* ``load_surnames_by_language``: the char-RNN tutorial's data/names/<Language>.txt.

Files are looked for under ``root``, then ``$TENSORKIT_DATA``; missing ones are
downloaded (into ``root`` or ``~/.cache/tensorkit/data``) and checked.
"""

from .diabetes import Diabetes, diabetes_path, load_diabetes
from .surnames import Surnames, load_surnames, load_surnames_by_language

__all__ = ["Diabetes", "Surnames", "diabetes_path", "load_diabetes", "load_surnames",
           "load_surnames_by_language"]
