"""Development sign-in (开发环境登录): list the directory's people and mint a token as any
of them. Mounted only when ``GRIDCASE_ENV=development``; production has no such routes."""
