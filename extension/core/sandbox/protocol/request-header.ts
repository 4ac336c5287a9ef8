export { decodeRequestHeader, type RequestHeader } from '../../kafka/protocol/codec';
