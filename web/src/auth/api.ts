import type { PersonRead, SignInConfigRead, SignInIn, SignInRead } from '@/kit/api'
import { request } from '@/kit/http'

export function listPeople(): Promise<PersonRead[]> {
  return request<PersonRead[]>('dispatch', '/v1/dev/people')
}

export function developmentSignIn(body: SignInIn): Promise<SignInRead> {
  return request<SignInRead>('dispatch', '/v1/dev/sign-in', { method: 'POST', json: body })
}

/** How this deployment signs people in (no token needed). */
export function signInConfig(): Promise<SignInConfigRead> {
  return request<SignInConfigRead>('dispatch', '/v1/sign-in/config')
}

/** The signed-in person as the staff directory has them (any valid token). */
export function me(token: string): Promise<PersonRead> {
  return request<PersonRead>('dispatch', '/v1/me', {
    headers: { Authorization: `Bearer ${token}` },
  })
}
