from cuadra.cli import main

raise SystemExit(main())
