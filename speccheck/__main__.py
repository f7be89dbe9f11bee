import sys

from speccheck.cli import main

sys.exit(main())
