export * from './base.entity';
export * from './entity-rules';
export * from './user.entity';
export * from './payment.entity';
export * from './subscription.entity';
export * from './webhook-event.entity';
