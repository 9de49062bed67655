import type { AutoencoderConfig } from '../src/model/autoencoder.ts';

/**
 * The training benchmark's shapes (issue 12's table): bench/train.bench.ts measures them, bench/run.ts runs
 * them one at a time with the PyTorch reference right after each, so the two see the same machine load.
 */
export const TRAIN_SHAPES: ReadonlyArray<{ features: number; model: Partial<AutoencoderConfig>; batch: number }> = [
  { features: 600, model: { encoder: [256, 128, 64], latent: 32 }, batch: 32 },
  { features: 600, model: { encoder: [256, 128, 64], latent: 32 }, batch: 256 },
  { features: 1700, model: { encoder: 'default', latent: 16 }, batch: 32 },
];
