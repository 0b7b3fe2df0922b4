import type { PersonRead, SignInIn, SignInRead } from '@/kit/api'
import { request } from '@/kit/http'

export function listPeople(): Promise<PersonRead[]> {
  return request<PersonRead[]>('dispatch', '/v1/dev/people')
}

export function developmentSignIn(body: SignInIn): Promise<SignInRead> {
  return request<SignInRead>('dispatch', '/v1/dev/sign-in', { method: 'POST', json: body })
}
