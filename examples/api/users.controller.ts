import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  RecordNotFoundException,
  UserRepository,
  type ICursorPaginatedResult,
  type IPaginatedResult,
  type IUserEntity,
} from '../../src';
import {
  CreateUserDto,
  ListUsersQueryDto,
  SearchUsersQueryDto,
  UpdateUserDto,
} from './dto/user.dto';
import { definedFilters, toPageOptions } from './list-options';
import { hashPassword } from './password-hasher';
import { toUserResponse, type UserResponse } from './user-response';

type UserPage = IPaginatedResult<UserResponse> | ICursorPaginatedResult<UserResponse>;

/** Users: create, read, update, soft delete and restore, list and search. */
@Controller('users')
export class UsersController {
  constructor(private readonly users: UserRepository) {}

  @Post()
  async create(@Body() body: CreateUserDto): Promise<UserResponse> {
    const { password, ...profile } = body;
    const passwordHash = password === undefined ? null : await hashPassword(password);
    return toUserResponse(await this.users.create({ ...profile, passwordHash }));
  }

  /** Filters (status, role, emailVerified, created range), search, order, offset or cursor pages. */
  @Get()
  async list(@Query() query: ListUsersQueryDto): Promise<UserPage> {
    const filters = definedFilters<IUserEntity>({
      status: query.status,
      role: query.role,
      emailVerified: query.emailVerified,
      search: query.search,
      createdAfter: query.createdAfter,
      createdBefore: query.createdBefore,
    });
    const orderBy = query.sort ? { field: query.sort, direction: query.order ?? 'asc' } : undefined;
    const page = await this.users.findWithPagination(
      toPageOptions<IUserEntity>(query, { filters, orderBy, includeDeleted: query.includeDeleted }),
    );
    return { ...page, data: page.data.map(toUserResponse) } as UserPage;
  }

  @Get('search')
  async search(@Query() query: SearchUsersQueryDto): Promise<UserResponse[]> {
    const users = await this.users.findMany({
      filters: { search: query.q },
      pagination: { page: 1, limit: query.limit ?? 20 },
    });
    return users.map(toUserResponse);
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<UserResponse> {
    const user = await this.users.findById(id);
    if (!user) throw new RecordNotFoundException('users', id);
    return toUserResponse(user);
  }

  @Patch(':id')
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
  ): Promise<UserResponse> {
    return toUserResponse(await this.users.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.users.softDelete(id);
  }

  @Post(':id/restore')
  @HttpCode(200)
  async restore(@Param('id', ParseUUIDPipe) id: string): Promise<UserResponse> {
    return toUserResponse(await this.users.restore(id));
  }
}
