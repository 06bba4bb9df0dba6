"""Hooks of the sphinx-gallery run, importable by name (so that Sphinx can
pickle the configuration that refers to them)."""

import torch


def reset_threads(gallery_conf, fname):
    """Before each example: one torch thread, whatever the last one set."""
    torch.set_num_threads(1)
