// ulm-listener's reading of Nova's versioned notifications: parsing, typed cloud events, and the RabbitMQ consumer.
export { NotificationListener, type NotificationListenerOptions, type ListenerStatus } from './listener.js';
export { parseNotification, normaliseTimestamp, novaObjectData, NotificationFormatError, type NovaNotification } from './envelope.js';
export { translateNotification, isHandledEventType, NotificationMemory, type TranslateOptions } from './translate.js';
export type * from './events.js';
