import { z } from 'zod';

/**
 * The protocol's building blocks. Each feature's payload schemas live beside its handlers
 * (signaling/src/features/<feature>/protocol.ts); this module and ../protocol/index.ts gather them.
 * Payload schemas, shared by server (validation at the edge) and browser (typing). Our own objects
 * are strict: an unknown field is an error. mediasoup's parameter objects (RTP capabilities and
 * parameters, DTLS parameters) are described field by field with bounded strings, numbers and
 * arrays: unknown fields are dropped, so nothing deeper or larger than these shapes ever reaches
 * mediasoup (a deeply nested object used to overflow its stack); mediasoup then checks the values.
 */
export const id = z.uuid();

/** A media room: `booth:<uuid>` (a booth's stage), `interview:<uuid>` (a 1:1 interview) or `broadcast:<uuid>`. */
export const roomIdSchema = z
  .string()
  .regex(/^(booth|interview|broadcast):[0-9a-f-]{36}$/, 'must look like booth:<uuid>, interview:<uuid> or broadcast:<uuid>');

export const emptySchema = z.strictObject({});
