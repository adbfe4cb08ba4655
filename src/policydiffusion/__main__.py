from policydiffusion.cli import main

main()
