export * from './base.repository';
export * from './relation-loader';
export * from './user.repository';
export * from './payment.repository';
export * from './subscription.repository';
export * from './webhook.repository';
export * from '../validation';
