/** VS Code entry point: everything lives in host/, which loads Kafka code only on first connect. */
export { activate, deactivate } from './host/activate';
