"""`lossykws train` and `lossykws evaluate`: printing over lossykws.pipeline.train and
lossykws.training.run."""
import json

import click


def train(as_json=False, **options):
    """Train (lossykws.pipeline.train.train) and print the run's metrics."""
    from lossykws.pipeline.train import train as train_run
    from lossykws.training.run import format_metrics

    metrics = train_run(**options)
    if as_json:
        click.echo(json.dumps(metrics, indent=1))
    else:
        for line in format_metrics(metrics, metrics["run_dir"]):
            click.echo(line)
    return metrics


def evaluate(run_dir, data_dir=(), as_json=False):
    """Accuracy and confusion of a run through Keras and the LCE interpreter."""
    from lossykws.training import run as training

    r = training.evaluate_run(run_dir, list(data_dir) or None)
    if as_json:
        click.echo(json.dumps(r, indent=1))
        return r
    click.echo(f"{r['model']} ({r['task']}) on {r['data']}: {r['clips']} clips")
    click.echo(f"  accuracy: Keras {r['keras_accuracy']:.4f}, LCE interpreter {r['lce_accuracy']:.4f}, "
               f"label agreement {r['agreement']:.4f}")
    for lab, acc in r["per_class_keras"].items():
        click.echo(f"  {lab:<12} {'-' if acc is None else f'{acc:.3f}'}")
    labels = r["labels"]
    click.echo("  confusion (rows true, columns predicted): " + " ".join(l[:6] for l in labels))
    for lab, row in zip(labels, r["confusion"]):
        click.echo(f"  {lab:<12} " + " ".join(f"{v:>6}" for v in row))
    return r
