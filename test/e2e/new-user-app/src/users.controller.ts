import { Body, Controller, Post } from '@nestjs/common';
import { UserRepository, type UserCreateInput, type IUserEntity } from 'nest-data-layer';

/** Creates users with the library's own repository: invoices reference them. */
@Controller('users')
export class UsersController {
  constructor(private readonly users: UserRepository) {}

  @Post()
  create(@Body() body: UserCreateInput): Promise<IUserEntity> {
    return this.users.create(body);
  }
}
