/** Reading records back: Fetch and ListOffsets over the transport, decoded as consumers see them. */
export * from './fetched-records';
export * from './record-json';
export * from './record-reader';
export * from './start-offset';
export * from './read-back';
