from rse_cli.cli import main

main()
