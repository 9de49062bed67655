import { parentPort, workerData } from 'node:worker_threads';
import { readFloatFields } from './float_fields.ts';
import { type RangeJob, RESULT, STATE, DONE, FAILED } from './float_fields_team.ts';

/**
 * A helper of `FloatFieldsTeam`: parses the range of records each job names, writing its values into the
 * shared matrix and its other fields into its own shared buffer, then says how it went in its control words.
 */
const { control } = workerData as { control: Int32Array };

parentPort!.on('message', (job: RangeJob) => {
  let result: number;
  try {
    const text = Buffer.from(job.text.buffer, job.text.byteOffset, job.text.byteLength);
    const rest = Buffer.from(job.rest.buffer, job.rest.byteOffset, job.rest.byteLength);
    result = readFloatFields(text, job.from, job.to, job.width, job.slot, job.k, job.out, rest);
  } catch {
    Atomics.store(control, STATE, FAILED);
    Atomics.notify(control, STATE);
    return;
  }
  Atomics.store(control, RESULT, result);
  Atomics.store(control, STATE, DONE);
  Atomics.notify(control, STATE);
});
