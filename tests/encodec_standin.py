"""A stand-in for the pretrained EnCodec checkpoint: the 24 kHz architecture with random weights
and random codebooks scaled to its encoder's output, saved under a name carrying its own hash
prefix (torch hub's `name-<sha256 prefix>.th`), so the loading and hash paths run for real."""
import hashlib
import shutil
from pathlib import Path

import numpy as np


def make_standin_checkpoint(folder, seed=0):
    """Write the stand-in into folder; return its path (named encodec_24khz_standin-<prefix>.th)."""
    import warnings

    import torch

    warnings.filterwarnings("ignore", message=".*weight_norm.*", category=FutureWarning)
    from encodec import EncodecModel

    torch.manual_seed(seed)
    model = EncodecModel.encodec_model_24khz(pretrained=False)
    t = np.arange(24000) / 24000
    x = torch.from_numpy(np.stack([0.3 * np.sin(2 * np.pi * f * t) * np.exp(-3 * t) for f in (200, 450, 900, 1700)])
                         .astype(np.float32))[:, None]
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        emb = model.encoder(x)
        residual = emb.transpose(1, 2).reshape(-1, emb.shape[1])
        for layer in model.quantizer.vq.layers:
            cb = layer._codebook
            embed = torch.randn(cb.embed.shape, generator=g) * residual.std() + residual.mean(0)
            cb.embed.copy_(embed)
            cb.embed_avg.copy_(embed)
            cb.inited.fill_(1.0)
            residual = residual - embed[cb.quantize(residual)]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "standin.tmp"
    torch.save(model.state_dict(), tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    path = folder / f"encodec_24khz_standin-{digest[:8]}.th"
    shutil.move(tmp, path)
    return path


def make_zero_codebook_checkpoint(folder):
    """The 24 kHz architecture as encodec builds it without weights: every code is 0."""
    import warnings

    import torch

    warnings.filterwarnings("ignore", message=".*weight_norm.*", category=FutureWarning)
    from encodec import EncodecModel

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "zero.tmp"
    torch.save(EncodecModel.encodec_model_24khz(pretrained=False).state_dict(), tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    path = folder / f"encodec_24khz_zero-{digest[:8]}.th"
    shutil.move(tmp, path)
    return path
