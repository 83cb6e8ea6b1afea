from rse_cli.entry import main

main()
