from gridcase_cli.main import main

main()
