/** Thrown only when the record is not a JSON object at all (null, array, string, number, boolean). */
export class InvalidCloudTrailRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCloudTrailRecordError';
  }
}
