import sys

from auroravault.cli import main

sys.exit(main())
