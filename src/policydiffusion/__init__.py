"""policydiffusion: policy innovation and diffusion research in Python.

The flow of an analysis, one stage per subpackage::

    study -> describe (curves) -> riskset / terms -> estimate -> interpret
          -> networks -> simulate -> report
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
