"""Speech in: WAV I/O, the Speech Commands layout and tasks, speaker splits, the synthesized
corpus, the download, and augmentation of the audio."""
