/** An option, stream/consumer spec or bucket setting is invalid; `field` names it. */
export class BusOptionsError extends Error {
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`invalid bus option "${field}": ${message}`, options);
    this.name = 'BusOptionsError';
  }
}

/** A message is larger than the server (or stream) accepts; large data belongs in the object store. */
export class PayloadTooLargeError extends Error {
  constructor(
    readonly subject: string,
    readonly sizeBytes: number,
    readonly maxBytes: number | undefined,
    options?: ErrorOptions,
  ) {
    const limit = maxBytes === undefined ? 'the stream limit' : `the limit of ${maxBytes} bytes`;
    super(
      `message of ${sizeBytes} bytes on "${subject}" exceeds ${limit}: ` +
        'put the data in the object store (bus.putBlob) and send its ObjectRef instead',
      options,
    );
    this.name = 'PayloadTooLargeError';
  }
}

/** A blob's content does not match the size or SHA-256 its ObjectRef promises. */
export class DigestMismatchError extends Error {
  constructor(
    readonly bucket: string,
    readonly objectName: string,
    readonly expected: { sha256: string; sizeBytes: bigint },
    readonly actual: { sha256: string; sizeBytes: bigint },
    options?: ErrorOptions,
  ) {
    super(
      `blob ${bucket}/${objectName} does not match its reference: expected ${expected.sizeBytes} bytes ` +
        `sha256 ${expected.sha256}, got ${actual.sizeBytes} bytes sha256 ${actual.sha256}`,
      options,
    );
    this.name = 'DigestMismatchError';
  }
}

/** No blob under that bucket and name. */
export class BlobNotFoundError extends Error {
  constructor(
    readonly bucket: string,
    readonly objectName: string,
    options?: ErrorOptions,
  ) {
    super(`blob ${bucket}/${objectName} not found`, options);
    this.name = 'BlobNotFoundError';
  }
}

/**
 * A compare-and-set write lost: the key's revision is not the expected one
 * (`expectedRevision` 0 means "must not exist", as in create).
 */
export class RevisionConflictError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly expectedRevision: number,
    options?: ErrorOptions,
  ) {
    super(
      expectedRevision === 0
        ? `key "${key}" already exists in ${bucket}`
        : `key "${key}" in ${bucket} is no longer at revision ${expectedRevision}`,
      options,
    );
    this.name = 'RevisionConflictError';
  }
}

/** A KV key breaks the NATS key rules. */
export class InvalidKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`invalid key "${key}": ${reason}`, options);
    this.name = 'InvalidKeyError';
  }
}

/** Bytes on the bus could not be decoded as the expected protobuf message. */
export class MessageDecodeError extends Error {
  constructor(
    readonly typeName: string,
    readonly where: string,
    options?: ErrorOptions,
  ) {
    super(`cannot decode ${typeName} from ${where}`, options);
    this.name = 'MessageDecodeError';
  }
}
