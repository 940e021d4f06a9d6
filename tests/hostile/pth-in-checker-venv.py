# Plant code that every later probe on this interpreter runs (a .pth file in its site-packages).
import site as _site

for _folder in _site.getsitepackages():
    try:
        open(_folder + "/zz_{MARKER}.pth", "w").write("import os; open('{CANARY}/pth-ran.txt', 'w').write('{MARKER}')\n")
    except OSError:
        pass
